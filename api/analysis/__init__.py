"""What a researcher asks of the graph: statements with their kinds and parties, the
reading room (texts as documents, versions compared), the codebook, the scenario
evaluator and the competency questions.

May import: every layer up to query.
"""
