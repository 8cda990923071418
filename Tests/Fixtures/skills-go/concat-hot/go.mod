module example.com/concathot

go 1.19
