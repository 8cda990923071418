module example.com/concatreads

go 1.19
