"""A short load run on loopback, good and bad requests mixed: nothing lost, no 5xx.

8 clients at once against the session's `sgkg serve`, each sending the whole mix once
(how much gets done in a given time is measured by ``make bench``: 32 clients for 20
seconds). Every request must get an answer, with the status its kind calls for: 200 for
the competency questions and descriptions, 400, 403, 404, 406, 415 or 422 for the bad
ones, the attacks of ``tests/attacks.py`` among them; and the listener those attacks aim
at sees no connection.
"""

from api.analysis.competency import load_questions
from api.core.layout import discover_layout

from attacks import attack_probes, listening
from conftest import REPO, RunningServer
from loadgen import run_load, standard_mix


def test_mixed_load_loses_nothing_and_has_no_server_error(server: RunningServer) -> None:
    questions = [q.sparql for q in load_questions(discover_layout(REPO))]
    with listening() as listener:
        mix = standard_mix(questions, attack_probes(listener))
        report = run_load(server.url, mix, clients=8, rounds=1)
        reached = listener.settle()
    print("\n" + report.summary())
    assert reached == 0
    assert report.lost == 0
    assert report.answered == 8 * len(mix)
    assert report.server_errors == 0
    assert not report.unexpected, report.unexpected
    assert {200, 400, 403, 404, 406, 415, 422} <= set(report.statuses)
