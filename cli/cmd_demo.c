/* Placeholder until the demo generator lands (owned by the demo work; replace freely). */
#include "commands.h"

int cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 0;
}
