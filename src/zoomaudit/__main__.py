from zoomaudit.cli.app import main

main()
