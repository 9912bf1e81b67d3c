"""OWL 2 RL materialisation over pyoxigraph: the ``inferred`` graph at any size.

HermiT (:mod:`api.reason.reasoning`) is complete for OWL 2 DL, and it is the judge of
consistency, but it needs minutes and gigabytes past a hundred thousand triples. The
inferences the graph's queries rely on come from a handful of constructs, which a rule
engine derives exactly (the OWL 2 RL rules of https://www.w3.org/TR/owl2-profiles/#OWL_2_RL,
section 4.3); this package runs them in the store itself, as SPARQL updates, to a
fixpoint:

==============================  ===========================================================
construct                       what is derived (OWL 2 RL rule)
==============================  ===========================================================
``rdfs:subClassOf``,            the superclasses of every member (cax-sco, cax-eqc)
``owl:equivalentClass`` (named),
``owl:disjointUnionOf``
``rdfs:domain``, ``rdfs:range`` a named class for subject and object (prp-dom, prp-rng)
``rdfs:subPropertyOf``,         the values of every superproperty (prp-spo1, prp-eqp)
``owl:equivalentProperty``
``owl:inverseOf``               the value in the other direction (prp-inv)
``owl:SymmetricProperty``       the value in the other direction (prp-symp)
``owl:TransitiveProperty``      the closure (prp-trp)
``owl:propertyChainAxiom``      the chained value (prp-spo2)
a defined class: ``owl:         membership of whatever meets the definition: an
equivalentClass`` (or a         ``owl:intersectionOf`` of named classes, ``owl:unionOf``,
subclass axiom) with a class    ``owl:someValuesFrom`` and ``owl:hasValue`` restrictions,
expression on the left          nested (cls-int1, cls-uni, cls-svf1, cls-svf2, cls-hv2)
a class expression on the       ``owl:hasValue``: the value (cls-hv1); ``owl:
right (superclass, or the       allValuesFrom``: the class of every value (cls-avf);
other side of an equivalence)   ``owl:intersectionOf``: each part (cls-int2)
==============================  ===========================================================

The rules are not written for sgkg's terms: :func:`.compiler.compile_schema` reads the
axioms from the graphs (whichever terms they name) and turns each into a SPARQL update;
a new class, property or definition in the ontology needs no change here. What the
rules derive is what HermiT's realisation (``-I``) and property values (``-Y``) report
for these constructs, and where HermiT lists a value only under the most specific
property, the superproperty's value as well; ``tests/test_materialiser.py`` checks this
against HermiT (its output, and its entailment check for the rest) on the shipped graph
and on an ontology that uses each construct. Class axioms between named classes are
derived from the same schema: the equivalences, and the subclass edges a definition
implies for a named class whose superclasses already meet it.

A construct the rules do not cover (``owl:complementOf``, ``owl:oneOf``, cardinalities,
``owl:hasSelf``, ``owl:allValuesFrom`` in a definition...) is not guessed at: it is
listed in :attr:`.fixpoint.Materialised.unsupported`, which the build records, so the inferred
graph is known to be possibly incomplete.

Every rule reads the asserted graphs and the inferred graph (SPARQL ``USING``) and
inserts into the inferred graph. The rules run in strata, writers before readers
(:func:`.fixpoint.strata`), each stratum to its fixpoint; a rule runs again only for what grew
since it last ran (``tests/benchmarks/RESULTS.md`` has the variants measured: running
every rule in rounds took twice as long at 10k agreements). Afterwards, what OWL
reasoners do not report is dropped: triples already asserted, values with blank nodes
or literals, data property values, memberships of ``owl:Thing``.

The package, in the order a run goes through it: :mod:`.rules` holds a rule as data
and the schema the axioms compile to; :mod:`.expressions` reads class expressions;
:mod:`.compiler` reads the schema from the store and compiles its axioms into rules;
:mod:`.fixpoint` runs the rules to their fixpoint; :mod:`.reported` trims the result to
what OWL reasoners report.
"""
