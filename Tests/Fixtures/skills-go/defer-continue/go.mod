module example.com/defercontinue

go 1.19
