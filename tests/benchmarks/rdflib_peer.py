"""The peer of the benchmark: rdflib-endpoint serving the same build, under uvicorn.

Run as ``python tests/benchmarks/rdflib_peer.py BUILD/sgkg.nq PORT``. It loads the
build's N-Quads (sgkg's six named graphs, what ``oxigraph serve`` and sgkg's own store
load; the interpretation graphs, which sgkg adds to an answer only on request, are in a
file of their own) into an rdflib Dataset whose default graph is their union, as sgkg's
strict default graph is, and serves it at /sparql with the same uvicorn settings.
"""

import sys

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main(nquads: str, port: int) -> None:
    dataset = Dataset(default_union=True)
    dataset.parse(nquads, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
