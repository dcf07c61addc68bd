"""`khabar run`, `khabar process`, `khabar worker` (being written)."""


def run() -> None:
    """placeholder"""


def process() -> None:
    """placeholder"""


def worker() -> None:
    """placeholder"""
