module example.com/regexdynamic

go 1.19
