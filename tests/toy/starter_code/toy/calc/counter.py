"""A stateful object to exercise handles."""


class Counter:
    """Counts calls of ``step``; ``total`` holds the sum of the amounts."""

    def __init__(self, start=0):
        self.total = start
        self.history = []

    def step(self, amount=1):
        """Add ``amount`` to ``total``, remember it, and return the new total."""
        # TODO: task 2.1 - update total and history.
        raise NotImplementedError('task 2.1 - update total and history. (calc/counter.py)')
