from peewee import SqliteDatabase, Model, CharField, IntegerField, fn
db = SqliteDatabase(":memory:")
class Person(Model):
    name = CharField()
    age = IntegerField()
    class Meta:
        database = db
db.connect()
db.create_tables([Person])
with db.atomic():
    for n, a in [("ann", 31), ("bob", 25), ("cy", 40)]:
        Person.create(name=n, age=a)
print([(p.name, p.age) for p in Person.select().order_by(Person.age)])
print(Person.select(fn.AVG(Person.age)).scalar())
try:
    with db.atomic():
        Person.create(name="dan", age=1)
        raise ValueError("rollback")
except ValueError:
    pass
print(Person.select().count())
