import io
from tqdm import tqdm, trange
buf = io.StringIO()
total = 0
for i in tqdm(range(1000), file=buf, mininterval=3600):
    total += i
print(total, "100%" in buf.getvalue())
with tqdm(total=10, file=io.StringIO()) as bar:
    for _ in range(10):
        bar.update(1)
    print(bar.n)
print(sum(trange(5, file=io.StringIO())))
