from natsort import natsorted, ns
import more_itertools as mi
from boltons.strutils import slugify as bslug, bytes2human
print(natsorted(["a10", "a2", "a1", "B3", "b1"], alg=ns.IGNORECASE))
print(list(mi.chunked(range(7), 3)), list(mi.windowed([1, 2, 3, 4], 2)))
print(bslug("Hello, World"), bytes2human(123456789))
