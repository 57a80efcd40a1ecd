from aigc_sdk.cli import main

main()
