"""Activation scenarios: which guarantees a set of events activates, and why.

A researcher states which events have happened (event conditions, by the last segment
of their IRI: ``ceasefire-in-force``, ``armed-attack-by-russia``...) and picks a text
version. The evaluator answers which guarantee elements and statements are active, which
are not, the conditions that decided each, and the passages of that version behind it.

Everything comes from the graph (conditions are data); nothing here knows the Paris
Declaration. The semantics:

- **Which elements.** Guarantee systems, components and mechanisms, and the statements
  that can take effect: commitments (undertakings), provisions (what will or shall be),
  capacities (what something can deliver), recommendations (what should be done) and
  participations (a party's role): ``a/rdfs:subClassOf*`` those classes. The other
  statement kinds are left out, because no event puts them in effect: a readiness is a
  disposition announced at the meeting, an affirmation the meeting's own act, a report
  something already done, and a possibility content that may be included, never in
  effect by itself. An element is evaluated only if it has ``sg:hasEvidence`` in a
  passage of the chosen version; the others are listed as not in that version.
- **Event conditions.** Met if stated, or entailed by a stated event through
  ``sg:entailsCondition`` (transitively): a stated armed attack by Russia meets "a
  future armed attack" because the data says the one entails the other.
- **Compound conditions.** An ``sg:AllOfCondition`` is met when every ``sg:operand``
  is met, an ``sg:AnyOfCondition`` when at least one is (operands may be compound).
  Any other kind of condition is never met: the evaluator cannot decide it.
- **Activation.** An element is active iff its own ``sg:activatedBy`` conditions are
  all met and every element it depends on is active. It depends on what it is
  ``sg:partOf`` and, for a participation, on what it is ``sg:participationIn`` (a party's
  role in a mechanism or commitment takes effect only with it; ``sg:partOf`` alone cannot
  say so, since its range is guarantee elements and commitments are not). Unrolled: an
  element is active iff the ``sg:activatedBy`` conditions of itself and of everything it
  depends on, directly or transitively, are met; these are the conditions that decide
  it (all of them when it is active, the unmet ones when it is not). Active means that
  what the statement says applies: an undertaking is due, a provision in effect, a
  capacity available, a recommendation applicable; the kind says which.
- An element with no condition anywhere up its dependencies is active whatever
  happens (the coordination cell, decided on its own, outside the system).

**Strict and interpreted.** By default the evaluator reads the words alone: the
asserted sgkg graphs (ontology, data, sources), never an interpretation graph
(:mod:`api.store.interpretations`). Asked to include interpretations (``all`` or their
names), it also reads their graphs: every element, ``sg:partOf``,
``sg:participationIn``, ``sg:activatedBy``, ``sg:operand`` and ``sg:entailsCondition``
edge and evidence link is tagged with the graph it comes from, and each condition,
deciding condition and element names the interpretations its outcome rests on: those
whose edges it needs, where the words alone give no way. Where the words give a way,
the words win, so an interpretation that only repeats what the data says is never
named. The result says whether it is ``strict`` or ``interpreted``, which
interpretations it included and which it used.

The graph is read once through :class:`api.store.base.Store` (a handful of SPARQL queries
over the asserted graphs and the interpretation graphs, so the answer does not depend
on whether reasoning ran) into a :class:`~.model.ScenarioModel`; each evaluation, strict
or interpreted, is then plain Python over that model.

The package: :mod:`.results` is the answer (the models the HTTP layer documents),
:mod:`.naming` how requests and answers name events, versions and scenarios,
:mod:`.graph` what is read from the graph, :mod:`.evaluator` the semantics above,
:mod:`.model` the model a request is evaluated against, and :mod:`.rendering` the
answer as text, JSON and RDF.
"""
