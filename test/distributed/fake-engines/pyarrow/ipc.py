class _Writer:
    def __init__(self, path):
        self.path = path
        self.n = 0

    def write_table(self, t):
        self.write_batch(t)

    def write_batch(self, b):
        assert self.n == 0, "one batch per file in this stand-in"
        with open(self.path, "wb") as f:
            f.write(b.data)
        self.n += 1

    def close(self):
        assert self.n == 1, "an empty partition"

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def new_file(path, schema):
    return _Writer(path)


class _Reader:
    def __init__(self, path):
        from . import Blob
        with open(path, "rb") as f:
            self.blob = Blob(f.read())
        self.num_record_batches = 1

    def read_all(self):
        return self.blob

    def get_batch(self, i):
        return self.blob


def open_file(src):
    return _Reader(src)
