import os
import certifi
p = certifi.where()
print(os.path.basename(p), os.path.exists(p))
print(certifi.contents().count("BEGIN CERTIFICATE") > 100)
with open(p) as f:
    print(f.read().count("END CERTIFICATE") > 100)
