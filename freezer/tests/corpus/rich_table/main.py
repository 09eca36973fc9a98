# rich renders a table with wide characters and styles to a fixed-width terminal.
from rich.console import Console
from rich.table import Table
from rich.markdown import Markdown
from rich.syntax import Syntax

console = Console(width=60, color_system="256", force_terminal=True, legacy_windows=False)
table = Table(title="Fruit")
table.add_column("name", style="bold cyan")
table.add_column("price", justify="right")
table.add_row("apple", "1.50")
table.add_row("草莓 strawberry", "4.20")
table.add_row("café", "2.00")
console.print(table)
console.print(Markdown("# Heading\n\n* one\n* **two**\n"))
console.print(Syntax("def f(x):\n    return x + 1\n", "python", theme="monokai"))
console.print("[red]red[/red] and :thumbs_up: emoji")
