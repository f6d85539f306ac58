from .imports import main

main()
