# A cache hit must not fail when comparing keys re-enters the cached function and
# evicts entries: CPython compares the key once and never raises KeyError here.
import functools

calls = 0


class Key:
    def __init__(self, n):
        self.n = n

    def __hash__(self):
        return 0  # every key lands in the same bucket, so lookups compare keys

    def __eq__(self, other):
        global calls
        calls += 1
        if calls == 2:
            # Re-enter the cache while it is looking up a key, and push the others out.
            for n in range(10, 13):
                cached(Key(n))
        return self.n == other.n


@functools.lru_cache(maxsize=2)
def cached(key):
    return key.n * 10


print(cached(Key(1)))
print(cached(Key(1)))
print(cached(Key(1)))
print(cached.cache_info())
