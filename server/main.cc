// flowkitd: being assembled (issue 5); the entry point lands with the server composition.
int main() { return 0; }
