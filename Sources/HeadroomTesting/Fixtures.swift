enum HeadroomTestingPlaceholder {}
