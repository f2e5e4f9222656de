class Dataset:
    def __init__(self, blocks):
        self.blocks = list(blocks)

    def to_arrow_refs(self):
        return list(self.blocks)

    def map_batches(self, f, batch_format=None):
        return Dataset([f(b) for b in self.blocks])

    def union(self, other):
        return Dataset(self.blocks + other.blocks)


def from_arrow(t):
    return Dataset(t if isinstance(t, list) else [t])
