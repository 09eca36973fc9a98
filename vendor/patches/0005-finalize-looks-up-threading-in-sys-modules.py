# Shutting down does not import threading when the program no longer has it.
import sys


class Watch:
    """Reports every import of threading."""

    def find_spec(self, name, path=None, target=None):
        if name == "threading":
            print("threading imported")
        return None


sys.modules.pop("threading", None)
sys.meta_path.insert(0, Watch())
print("done")
