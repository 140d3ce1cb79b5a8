new Date(0).getTime() + arr[i] + obj['key'] + obj[k]
