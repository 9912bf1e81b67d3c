"""The peer of the benchmark: rdflib-endpoint serving the same build, under uvicorn.

Run as ``python tests/benchmarks/rdflib_peer.py BUILD/sgkg.trig PORT``. It loads the
TriG (the same named graphs sgkg serves) into an rdflib Dataset whose default graph is
their union, as sgkg's, and serves it at /sparql with the same uvicorn settings.
"""

import sys

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main(trig: str, port: int) -> None:
    dataset = Dataset(default_union=True)
    dataset.parse(trig, format="trig")
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
