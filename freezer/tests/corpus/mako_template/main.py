from mako.template import Template
t = Template("""<ul>
% for name, qty in items:
  <li>${name | h}: ${qty * 2}</li>
% endfor
</ul>
<%def name="greet(x)">Hello ${x}!</%def>${greet("you")}""")
print(t.render(items=[("a<b", 1), ("c", 2)]))
