"""The vocabulary every layer shares: errors and exit codes, namespaces and prefixes, the
repository layout (which files hold what, which named graph each goes to) and sgkg's IRIs
with the local paths that serve them.

May import nothing from sgkg: every other layer builds on it.
"""
