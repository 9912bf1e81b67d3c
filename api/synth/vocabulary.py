"""What the synthetic agreements draw from: real states (with Wikidata links), venues,
document kinds, coders, the coding levels the rubric admits, and the kinds of component."""

#: Real states and organisations: (slug, label, Wikidata entity, class). The slugs are
#: those of ``data/semantics/parties.ttl`` where the project already has the party.
STATES: tuple[tuple[str, str, str, str], ...] = (
    ("ukraine", "Ukraine", "Q212", "State"),
    ("united-states", "United States", "Q30", "State"),
    ("russia", "Russia", "Q159", "State"),
    ("france", "France", "Q142", "State"),
    ("united-kingdom", "United Kingdom", "Q145", "State"),
    ("germany", "Germany", "Q183", "State"),
    ("poland", "Poland", "Q36", "State"),
    ("italy", "Italy", "Q38", "State"),
    ("canada", "Canada", "Q16", "State"),
    ("japan", "Japan", "Q17", "State"),
    ("netherlands", "Netherlands", "Q55", "State"),
    ("norway", "Norway", "Q20", "State"),
    ("sweden", "Sweden", "Q34", "State"),
    ("finland", "Finland", "Q33", "State"),
    ("denmark", "Denmark", "Q35", "State"),
    ("spain", "Spain", "Q29", "State"),
    ("estonia", "Estonia", "Q191", "State"),
    ("latvia", "Latvia", "Q211", "State"),
    ("lithuania", "Lithuania", "Q37", "State"),
    ("belgium", "Belgium", "Q31", "State"),
    ("portugal", "Portugal", "Q45", "State"),
    ("australia", "Australia", "Q408", "State"),
    ("european-union", "European Union", "Q458", "InternationalOrganisation"),
    ("nato", "NATO", "Q7184", "InternationalOrganisation"),
)
#: The partners an agreement may name (neither the beneficiary nor the adversary).
PARTNERS = tuple((slug, label) for slug, label, _, _ in STATES if slug not in ("ukraine", "russia"))

#: Venues: (slug, name). Two names are not ASCII, so offsets (code points) and bytes differ.
CITIES: tuple[tuple[str, str], ...] = (
    ("vilnius", "Vilnius"),
    ("tallinn", "Tallinn"),
    ("riga", "Riga"),
    ("warsaw", "Warsaw"),
    ("helsinki", "Helsinki"),
    ("oslo", "Oslo"),
    ("copenhagen", "Copenhagen"),
    ("stockholm", "Stockholm"),
    ("berlin", "Berlin"),
    ("rome", "Rome"),
    ("madrid", "Madrid"),
    ("lisbon", "Lisbon"),
    ("brussels", "Brussels"),
    ("the-hague", "The Hague"),
    ("ottawa", "Ottawa"),
    ("london", "London"),
    ("kyiv", "Kyiv"),
    ("krakow", "Kraków"),
    ("reykjavik", "Reykjavík"),
)
DOCUMENT_KINDS = ("Declaration", "Joint Statement", "Memorandum", "Communiqué")
#: Coders of the synthetic coding layer (shared agents).
CODERS = ("synth-coder-a", "synth-coder-b", "synth-coder-c")
#: The levels the legalization rubric (scheme legalization-rubric in
#: ontology/sgkg-vocabularies.ttl) admits for the statement the synthetic codings judge,
#: the readiness to commit to the system: a readiness is low obligation at most and never
#: none, and it concerns the system, which has no mechanism function, so no delegation.
READINESS_LEVELS = {
    "obligation": ("low",),
    "precision": ("low", "moderate"),
    "delegation": ("none",),
}

#: The kinds of component an agreement draws from; each has its own sentence and entities.
COMPONENT_KINDS = (
    "monitoring",
    "military-support",
    "commission",
    "attack-response",
    "reassurance",
    "defence-cooperation",
)
MAX_COMPONENTS = 5
#: How often an agreement has 1, 2, ... 5 components (relative weights): mostly two or
#: three, which keeps 10k agreements near 2 million triples.
COMPONENT_COUNT_WEIGHTS = (3, 4, 3, 1, 1)
