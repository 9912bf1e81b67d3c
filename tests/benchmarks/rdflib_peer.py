"""The peer of the benchmark: rdflib-endpoint serving the same build, under uvicorn.

Run as ``python tests/benchmarks/rdflib_peer.py BUILD/sgkg.trig PORT``. It loads sgkg's
six named graphs from the TriG into an rdflib Dataset whose default graph is their
union, as sgkg's strict default graph is, and serves it at /sparql with the same uvicorn
settings. The TriG also carries the interpretation graphs, which sgkg adds to an answer
only on request: they stay out, so both servers answer the same questions alike.
"""

import sys

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint

from api.core.layout import GRAPH_NAMES, graph_iri


def strict_dataset(trig: str) -> Dataset:
    """sgkg's six graphs from ``trig``, the default graph their union."""
    source = Dataset()
    source.parse(trig, format="trig")
    dataset = Dataset(default_union=True)
    for name in GRAPH_NAMES:
        iri = graph_iri(name)
        graph = dataset.graph(iri)
        for triple in source.graph(iri):
            graph.add(triple)
    return dataset


def main(trig: str, port: int) -> None:
    app = SparqlEndpoint(graph=strict_dataset(trig), path="/sparql", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
