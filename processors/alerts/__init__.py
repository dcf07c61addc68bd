"""Alerting: rules as data (rules.py), conditions and full-text terms (conditions.py,
terms.py), burst windows and expiring state over a plain mapping (burst.py, store.py), the
engine (engine.py; stage entry point processors/alerts/stage.py), background delivery
(channels.py) and `khabar rules` (cli.py)."""
