"""Tagging internals: taxonomy loading, the phrase automaton, names, events, casualties.

The stage itself is processors.tagging.stage.tag(article).
"""
