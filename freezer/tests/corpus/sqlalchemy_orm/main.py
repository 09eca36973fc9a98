# SQLAlchemy 2 ORM on in-memory SQLite: declarative models, relationships, queries,
# a rolled-back transaction, and the SQL it compiles.
from sqlalchemy import ForeignKey, String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    books: Mapped[list["Book"]] = relationship(back_populates="author", order_by="Book.title")


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    year: Mapped[int | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")


engine = create_engine("sqlite://")
Base.metadata.create_all(engine)
with Session(engine) as session:
    le_guin = Author(name="Le Guin", books=[Book(title="Earthsea", year=1968), Book(title="The Dispossessed", year=1974)])
    session.add_all([le_guin, Author(name="Nobody")])
    session.commit()
    counts = select(Author.name, func.count(Book.id)).outerjoin(Author.books).group_by(Author.id).order_by(Author.name)
    print(session.execute(counts).all())
    print([b.title for b in session.scalars(select(Book).where(Book.year < 1970))])
    print([b.title for b in session.get(Author, le_guin.id).books])
    try:
        with session.begin_nested():
            session.add(Book(title="Draft", author_id=le_guin.id))
            raise ValueError("undo")
    except ValueError:
        pass
    print(session.scalar(select(func.count()).select_from(Book)))
print(str(select(Book.title).where(Book.year > 1970).order_by(Book.title.desc())))
