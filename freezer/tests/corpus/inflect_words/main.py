import inflect
p = inflect.engine()
print(p.plural("child"), p.plural("mouse"), p.singular_noun("geese"), p.a("hour"), p.number_to_words(1234567))
print(p.ordinal(23), p.join(["apples", "pears", "plums"]))
