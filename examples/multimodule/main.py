"""A small program split over a module and a package with relative imports."""
import sys

import greeting
from shapes import area_report
from shapes.circle import Circle


def main():
    print(greeting.greet("frozen world"))
    shapes = [Circle(1.0), Circle(2.5)]
    from shapes.polygons.square import Square  # an import inside a function

    shapes.append(Square(3))
    for line in area_report(shapes):
        print(line)
    print("entry module:", __name__)
    print("package of circle:", Circle.__module__, sys.modules["shapes"].__name__)


if __name__ == "__main__":
    main()
