module example.com/regexhot

go 1.19
