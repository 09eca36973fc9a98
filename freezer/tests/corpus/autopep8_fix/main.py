import autopep8
src = "import os,sys\ndef f( a,b ):\n  x=a+b\n  if x==None :\n     return   1\n  return x\n"
print(autopep8.fix_code(src), end="")
print(autopep8.fix_code(src, options={"aggressive": 1}), end="")
