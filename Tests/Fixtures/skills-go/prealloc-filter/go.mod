module example.com/preallocfilter

go 1.19
