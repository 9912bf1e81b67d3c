"""Linked data: the description of one resource, the index of every instance by kind,
the VoID/DCAT description of the dataset and the citations of a passage.

May import: every layer up to synth.
"""
