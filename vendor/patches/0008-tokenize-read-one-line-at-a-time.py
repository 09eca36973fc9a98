# tokenize reads its input one line at a time and yields each token as soon as the
# lines read so far decide it, as CPython's tokenizer does.
import tokenize

SOURCE = '''\
import os


@decorator
class A:
    """A docstring
    over two lines."""

    def f(self, a,
          b):  # comment
        x = a + \\
            b
        if x:
            return [x,
                    # inside brackets
                    1]

        return None
# a comment at column 0
total = (1 +
2)
def g( a,b ):
  pass
'''

lines = iter(SOURCE.splitlines(keepends=True))
read = 0


def readline():
    global read
    line = next(lines, "")
    if line:
        read += 1
    return line


for tok in tokenize.generate_tokens(readline):
    print(
        f"read {read:2}",
        tokenize.tok_name[tok.type],
        repr(tok.string),
        tok.start,
        tok.end,
    )


def endless():
    n = 0
    while True:
        n += 1
        yield f"x{n} = {n}\n"


stream = endless()
for tok in tokenize.generate_tokens(lambda: next(stream)):
    if tok.type == tokenize.NEWLINE and tok.start[0] == 3:
        print("stopped after line 3 of an endless stream")
        break
