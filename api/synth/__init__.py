"""The synthetic corpus: agreements generated in the shape of the Paris Declaration, for
measuring sgkg at scale. Never mixed with the real data.

May import: every layer up to analysis.
"""
