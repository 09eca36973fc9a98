from ..base import Shape


class Square(Shape):
    name = "square"

    def __init__(self, side):
        self.side = side

    def area(self):
        return float(self.side * self.side)
