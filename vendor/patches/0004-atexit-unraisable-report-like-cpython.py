# An exception in an atexit callback is reported with the callback and a traceback.
import atexit

# Compiled under a fixed file name and run in a namespace of its own, so the traceback
# reads the same wherever it runs and has no source line to show.
handlers = {}
exec(
    compile(
        "class Handler:\n"
        "    def __repr__(self):\n"
        "        return '<handler>'\n"
        "\n"
        "    def __call__(self):\n"
        "        raise ValueError('boom')\n",
        "handlers.py",
        "exec",
    ),
    handlers,
)
atexit.register(lambda: print("the other handlers still run"))
atexit.register(handlers["Handler"]())
print("main done")
