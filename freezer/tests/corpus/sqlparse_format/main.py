import sqlparse
sql = "select a, b as bee, count(*) from t join u on t.id=u.id where x>1 and y in (select y from z) group by a, b order by 3 desc; insert into t values (1,'a');"
print(sqlparse.format(sql, reindent=True, keyword_case="upper"))
for stmt in sqlparse.parse(sql):
    print(stmt.get_type(), len(stmt.tokens))
print(sqlparse.split(sql))
