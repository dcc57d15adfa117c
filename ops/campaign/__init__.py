"""The reliability campaign: long fault, crash, bad-input and secret runs with a table of
figures (``python ops/campaign/run.py``). Its checks (faultplan, audit, badinput, hostile)
are shared with the fast suite in tests/reliability."""
