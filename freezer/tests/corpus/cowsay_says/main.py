import cowsay
print(cowsay.get_output_string("cow", "Hello, frozen world"))
print(sorted(cowsay.char_names)[:5])
