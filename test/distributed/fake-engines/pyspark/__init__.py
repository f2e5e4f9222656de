"""A sequential stand-in for pyspark: a DataFrame is a list of partitions, each a list of batches."""
_pid = [None]


class TaskContext:
    @staticmethod
    def get():
        return TaskContext()

    def partitionId(self):
        return _pid[0]


class DataFrame:
    def __init__(self, parts, schema="schema"):
        self.parts = parts
        self.schema = schema

    def mapInArrow(self, fn, schema):
        out = []
        for pid, batches in enumerate(self.parts):
            _pid[0] = pid
            out.append(list(fn(iter(batches))))
        return DataFrame(out, schema)

    def rows(self):
        for batches in self.parts:
            for b in batches:
                if isinstance(b, dict):
                    keys = list(b)
                    for i in range(len(b[keys[0]])):
                        yield tuple(b[k][i] for k in keys)
                else:
                    yield b

    def count(self):
        return sum(1 for _ in self.rows())

    def collect(self):
        return list(self.rows())

    def unionByName(self, other):
        return DataFrame(self.parts + other.parts, self.schema)


class _RDD:
    def __init__(self, items):
        self.items = items

    def foreach(self, f):
        for x in self.items:
            f(x)


class _SC:
    def parallelize(self, items, n=None):
        return _RDD(list(items))


class Session:
    sparkContext = _SC()

    def createDataFrame(self, data, schema):
        return DataFrame([[data]], schema)
