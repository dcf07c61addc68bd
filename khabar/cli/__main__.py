"""`python -m khabar.cli` (how the supervisor starts local workers)."""

from khabar.cli import main

main()
