from markdown_it import MarkdownIt
md = MarkdownIt("commonmark").enable("table")
print(md.render("# Title\n\n*em* **strong** `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n- y\n"), end="")
import mistune
print(mistune.html("## Sub\n\n> quote\n\n1. one\n2. two\n"), end="")
