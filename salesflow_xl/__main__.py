from salesflow_xl.cli import main

main()
