module example.com/invariantmutated

go 1.19
