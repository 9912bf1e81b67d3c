"""The HTTP server: the FastAPI app, what it holds and loads, safe reloads, the
protocol-level errors and limits, and its routes (``routes/``).

May import: every layer up to notebook.
"""
