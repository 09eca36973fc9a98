# tqdm's process_map runs a function over a ProcessPoolExecutor, re-executing this
# program's interpreter in worker processes.
import io

from tqdm.contrib.concurrent import process_map, thread_map


def square(x):
    return x * x


if __name__ == "__main__":
    print(process_map(square, range(20), max_workers=2, chunksize=4, file=io.StringIO()))
    print(thread_map(square, range(5), max_workers=2, file=io.StringIO()))
