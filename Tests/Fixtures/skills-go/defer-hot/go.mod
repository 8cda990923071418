module example.com/deferhot

go 1.19
